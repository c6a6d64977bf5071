/** Simplified Chinese UI text. Same keys as en.ts (the `Messages` type enforces it). */
import type { Messages } from './en.ts';

export const zhCN: Messages = {
  app: {
    name: '软电话',
    skipToContent: '跳到主要内容',
    retry: '重试',
    notAvailable: '不可用',
    loading: '正在加载…',
  },
  nav: {
    label: '主导航',
    phone: '电话',
    contacts: '联系人',
    history: '通话记录',
    diagnostics: '诊断',
    settings: '设置',
  },
  status: {
    label: '状态',
    connection: {
      connecting: '正在连接电话服务…',
      connected: '电话服务就绪',
      unavailable: '电话服务不可用',
    },
    registration: {
      none: '没有账户',
      noneDetail: '账户功能推出后即可添加账户',
    },
    unavailableTitle: '无法连接到电话服务',
  },
  phone: {
    title: '电话',
    account: '账户',
    noAccount: '尚无账户',
    numberLabel: '号码或 SIP 地址',
    numberPlaceholder: '输入号码或 SIP 地址',
    deleteLast: '删除最后一个字符',
    keypad: '拨号盘',
    call: '呼叫',
    callsNotice: '通话功能即将推出，拨号盘已为其准备就绪。',
  },
  contacts: {
    title: '联系人',
    emptyTitle: '还没有联系人',
    emptyText: '通讯录将随联系人功能推出。您添加的联系人会显示在这里。',
  },
  history: {
    title: '通话记录',
    emptyTitle: '还没有通话',
    emptyText: '通话功能推出后，您拨打和接听的电话会列在这里。',
  },
  diagnostics: {
    title: '诊断',
    app: {
      title: '应用程序',
      name: '名称',
      version: '版本',
      host: '运行环境',
      platform: '平台',
      node: 'Node.js',
      electron: 'Electron',
      chrome: 'Chromium',
      v8: 'V8',
      dataDir: '数据文件夹',
      startedAt: '启动时间',
      failed: '无法读取应用程序信息：{message}',
    },
    hosts: {
      electron: '桌面应用',
      cli: '命令行',
      testHost: '测试主机',
    },
    nat: {
      title: '网络与 NAT',
      text: 'NAT 诊断（STUN 和 TURN 检测以及媒体路径说明）将随 NAT 功能推出。',
    },
    log: {
      title: '日志',
      level: '显示',
      levels: {
        all: '所有级别',
        info: '信息及以上',
        warn: '警告和错误',
        error: '仅错误',
      },
      empty: '暂无日志。',
      count: '共 {total} 条，显示 {shown} 条',
      clear: '清空显示',
      failed: '无法读取日志：{message}',
    },
  },
  settings: {
    title: '设置',
    loadFailed: '无法加载设置：{message}',
    saveFailed: '无法保存设置：{message}',
    appearance: {
      title: '外观',
      theme: '主题',
      system: '跟随系统',
      light: '浅色',
      dark: '深色',
      systemHint: '“跟随系统”会使用电脑当前的浅色或深色模式。',
    },
    language: {
      title: '语言',
      label: '界面语言',
      hint: '应用中的所有文字都使用此语言。',
    },
    about: {
      title: '关于',
      description: '一款桌面 SIP 软电话，可注册到常见的电话系统，并能穿越 NAT 进行通话。',
      version: '版本 {version}',
      details: '各组件版本和数据文件夹位置可在“诊断”中查看。',
      openDiagnostics: '打开诊断',
    },
  },
};
